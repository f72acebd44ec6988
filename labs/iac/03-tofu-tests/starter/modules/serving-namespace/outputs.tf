output "namespace" {
  description = "The team's serving namespace."
  value       = kubernetes_namespace.this.metadata[0].name
}

output "cpu_quota" {
  description = "CPU cores the namespace may request in total."
  value       = kubernetes_resource_quota.this.spec[0].hard["requests.cpu"]
}
