environment = "prod"
replica     = 3
image       = "mlops-lab/model-api:1.0.0"
