# The module validates its inputs, so the root does not need to... or does it?
variable "environment" {
  type        = string
  description = "dev or prod; set it in environments/<env>.tfvars."
}

variable "replicas" {
  type        = number
  description = "Model API pods in this environment."
}

variable "image" {
  type        = string
  description = "The model API image with its version tag."
}
