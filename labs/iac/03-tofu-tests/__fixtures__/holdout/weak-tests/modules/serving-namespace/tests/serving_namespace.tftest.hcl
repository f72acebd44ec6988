# Tests the happy path in dev and the input checks; prod is "the same, with more".
mock_provider "kubernetes" {}

variables {
  team        = "fraud"
  environment = "dev"
}

run "dev_namespace" {
  command = plan

  assert {
    condition     = kubernetes_namespace.this.metadata[0].name == "fraud-dev"
    error_message = "The namespace must be named <team>-<environment>."
  }
}

run "dev_quota" {
  command = plan

  assert {
    condition     = kubernetes_resource_quota.this.spec[0].hard["requests.cpu"] == "2"
    error_message = "dev must be limited to 2 CPU cores."
  }
}

run "prod_plans" {
  command = plan

  variables {
    environment = "prod"
  }

  assert {
    condition     = kubernetes_namespace.this.metadata[0].labels["environment"] == "prod"
    error_message = "prod must be labelled."
  }
}

run "staging_is_rejected" {
  command = plan
  variables {
    environment = "staging"
  }
  expect_failures = [var.environment]
}

run "bad_team_is_rejected" {
  command = plan
  variables {
    team = "Fraud_Team"
  }
  expect_failures = [var.team]
}
