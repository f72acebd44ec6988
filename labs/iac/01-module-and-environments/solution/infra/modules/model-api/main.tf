locals {
  name = "model-api"
  labels = merge(var.labels, {
    app         = local.name
    environment = var.environment
  })
}

resource "kubernetes_namespace" "this" {
  metadata {
    name   = "${local.name}-${var.environment}"
    labels = local.labels
  }
}

resource "kubernetes_deployment" "this" {
  metadata {
    name      = local.name
    namespace = kubernetes_namespace.this.metadata[0].name
    labels    = local.labels
  }
  spec {
    replicas = var.replicas
    selector {
      match_labels = { app = local.name }
    }
    template {
      metadata {
        labels = local.labels
      }
      spec {
        container {
          name  = "api"
          image = var.image
          port {
            container_port = 8000
          }
        }
      }
    }
  }
}

resource "kubernetes_service" "this" {
  metadata {
    name      = local.name
    namespace = kubernetes_namespace.this.metadata[0].name
    labels    = local.labels
  }
  spec {
    selector = { app = local.name }
    port {
      port        = 80
      target_port = 8000
    }
  }
}
