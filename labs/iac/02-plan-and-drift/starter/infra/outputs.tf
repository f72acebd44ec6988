output "service" {
  description = "The model API Service, as namespace/name."
  value       = "${kubernetes_service.model_api.metadata[0].namespace}/${kubernetes_service.model_api.metadata[0].name}"
}
