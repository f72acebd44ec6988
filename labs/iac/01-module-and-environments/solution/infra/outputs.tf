output "namespace" {
  description = "Where the model API of this environment runs."
  value       = module.model_api.namespace
}

output "service_url" {
  description = "The model API's in-cluster URL."
  value       = module.model_api.service_url
}
