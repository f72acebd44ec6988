# A serving namespace per team and environment, with a CPU and memory quota
# sized for the environment and the defaults every model server reads.
locals {
  namespace_name = "${var.team}-${var.environment}"

  # CPU (cores) and memory a team may request in total.
  quota = {
    dev  = { cpu = "2", memory = "4Gi" }
    prod = { cpu = "4", memory = "16Gi" }
  }

  labels = {
    team                           = var.team
    environment                    = var.environment
    "app.kubernetes.io/managed-by" = "opentofu"
  }

  log_level = var.environment == "prod" ? "info" : "debug"
}

resource "kubernetes_namespace" "this" {
  metadata {
    name   = local.namespace_name
    labels = local.labels
  }
}

resource "kubernetes_resource_quota" "this" {
  metadata {
    name      = "serving-quota"
    namespace = kubernetes_namespace.this.metadata[0].name
  }
  spec {
    hard = {
      "requests.cpu"    = local.quota[var.environment].cpu
      "requests.memory" = local.quota[var.environment].memory
    }
  }
}

resource "kubernetes_config_map" "defaults" {
  metadata {
    name      = "serving-defaults"
    namespace = kubernetes_namespace.this.metadata[0].name
    labels    = local.labels
  }
  data = {
    LOG_LEVEL   = local.log_level
    ENVIRONMENT = var.environment
  }
}
