environment = "dev"
replicas    = 1
image       = "mlops-lab/model-api:1.0.0"
