locals {
  labels = { app = "model-api", "app.kubernetes.io/managed-by" = "opentofu" }
}

resource "kubernetes_config_map" "model_api" {
  metadata {
    name      = "model-api-config"
    namespace = var.namespace
    labels    = local.labels
  }
  data = {
    MODEL_VERSION = var.model_version
    LOG_LEVEL     = "info"
  }
}

resource "kubernetes_deployment" "model_api" {
  metadata {
    name      = "model-api"
    namespace = var.namespace
    labels    = local.labels
  }
  spec {
    replicas = var.replicas
    selector {
      match_labels = { app = "model-api" }
    }
    template {
      metadata {
        labels = local.labels
      }
      spec {
        container {
          name  = "api"
          image = "mlops-lab/model-api:1.0.0"
          port {
            container_port = 8000
          }
          env_from {
            config_map_ref {
              name = kubernetes_config_map.model_api.metadata[0].name
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_service" "model_api" {
  metadata {
    name      = "model-api"
    namespace = var.namespace
    labels    = local.labels
  }
  spec {
    selector = { app = "model-api" }
    port {
      port        = 80
      target_port = 8000
    }
  }
}
