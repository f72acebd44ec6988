path = "state/dev.tfstate"
