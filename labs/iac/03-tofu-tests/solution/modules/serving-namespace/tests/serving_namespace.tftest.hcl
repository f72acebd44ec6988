# Unit tests for the serving-namespace module: `tofu test` from this folder.
# mock_provider: no cluster needed; plan-time values come from the configuration,
# computed ones (uid, resource_version) are made up by the mock.
mock_provider "kubernetes" {}

variables {
  team        = "fraud"
  environment = "dev"
}

run "dev_namespace_is_named_team_environment" {
  command = plan

  assert {
    condition     = kubernetes_namespace.this.metadata[0].name == "fraud-dev"
    error_message = "The namespace must be named <team>-<environment>."
  }

  assert {
    condition     = kubernetes_namespace.this.metadata[0].labels["team"] == "fraud" && kubernetes_namespace.this.metadata[0].labels["environment"] == "dev"
    error_message = "The namespace must carry team and environment labels."
  }
}

run "dev_gets_the_small_quota_and_debug_logs" {
  command = plan

  assert {
    condition     = kubernetes_resource_quota.this.spec[0].hard["requests.cpu"] == "2"
    error_message = "dev must be limited to 2 CPU cores."
  }

  assert {
    condition     = kubernetes_config_map.defaults.data["LOG_LEVEL"] == "debug"
    error_message = "dev must log at debug level."
  }
}

run "prod_gets_the_large_quota" {
  command = plan

  variables {
    environment = "prod"
  }

  assert {
    condition     = kubernetes_resource_quota.this.spec[0].hard["requests.cpu"] == "8"
    error_message = "prod must be allowed 8 CPU cores."
  }

  assert {
    condition     = kubernetes_config_map.defaults.data["LOG_LEVEL"] == "info"
    error_message = "prod must log at info level."
  }
}

# An apply with the mock provider: outputs are known only after apply.
run "outputs_after_apply" {
  variables {
    environment = "prod"
  }

  assert {
    condition     = output.namespace == "fraud-prod" && output.cpu_quota == "8"
    error_message = "The outputs must report the namespace and its CPU quota."
  }
}

run "staging_is_rejected" {
  command = plan

  variables {
    environment = "staging"
  }

  expect_failures = [var.environment]
}

run "team_names_must_be_dns_labels" {
  command = plan

  variables {
    team = "Fraud_Team"
  }

  expect_failures = [var.team]
}
