provider "kubernetes" {}

module "model_api" {
  source = "./modules/model-api"

  environment = var.environment
  replicas    = var.replicas
  image       = var.image
  labels      = { team = "ml-platform" }
