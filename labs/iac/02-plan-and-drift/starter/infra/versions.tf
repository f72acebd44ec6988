terraform {
  required_version = ">= 1.8.0"

  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 1.13.4"
    }
  }

  # Local state for the lab; on a team this is a remote backend with locking.
  backend "local" {
    path = "state/lab.tfstate"
  }
}

# Reads KUBECONFIG (or ~/.kube/config), like kubectl.
provider "kubernetes" {}
