terraform {
  required_version = ">= 1.8.0"

  required_providers {
    kubernetes = {
      source = "hashicorp/kubernetes"
      # Patch releases only. 1.13.4 is the release this lab's offline provider
      # mirror is built from; on a team today you would pin a 2.x release the same way.
      version = "~> 1.13.4"
    }
  }

  # One state per environment: `tofu init -reconfigure -backend-config=environments/<env>.backend.hcl`.
  # On a team this is a remote backend (s3, gcs, azurerm, kubernetes) with locking.
  backend "local" {}
}
