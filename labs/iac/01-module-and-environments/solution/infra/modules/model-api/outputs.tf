output "namespace" {
  description = "The namespace the model API runs in."
  value       = kubernetes_namespace.this.metadata[0].name
}

output "service_name" {
  description = "The Service in front of the model API pods."
  value       = kubernetes_service.this.metadata[0].name
}

output "service_url" {
  description = "The in-cluster URL other services call."
  value       = "http://${kubernetes_service.this.metadata[0].name}.${kubernetes_namespace.this.metadata[0].name}.svc.cluster.local"
}
