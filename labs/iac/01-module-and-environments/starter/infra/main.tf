# A colleague's first try: it works on their laptop, for one environment.
# Turn it into a module with typed variables, one set of values per
# environment, a pinned provider and state that stays out of git.

terraform {
  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 1.0"
    }
  }
}

provider "kubernetes" {}

variable "replicas" {
  default = 1
}

resource "kubernetes_namespace" "model_api" {
  metadata {
    name = "model-api-dev"
  }
}

resource "kubernetes_deployment" "model_api" {
  metadata {
    name      = "model-api"
    namespace = kubernetes_namespace.model_api.metadata[0].name
    labels    = { app = "model-api" }
  }
  spec {
    replicas = var.replicas
    selector {
      match_labels = { app = "model-api" }
    }
    template {
      metadata {
        labels = { app = "model-api" }
      }
      spec {
        container {
          name  = "api"
          image = "mlops-lab/model-api:1.0.0"
          port {
            container_port = 8000
          }
        }
      }
    }
  }
}

resource "kubernetes_service" "model_api" {
  metadata {
    name      = "model-api"
    namespace = kubernetes_namespace.model_api.metadata[0].name
  }
  spec {
    selector = { app = "model-api" }
    port {
      port        = 80
      target_port = 8000
    }
  }
}
