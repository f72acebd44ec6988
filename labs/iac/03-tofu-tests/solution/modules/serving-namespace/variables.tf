variable "team" {
  type        = string
  description = "The team that owns the models served here: lowercase letters, digits and hyphens, 2 to 20 characters."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.team))
    error_message = "team must be 2 to 20 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  type        = string
  description = "dev or prod."

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be \"dev\" or \"prod\"."
  }
}
