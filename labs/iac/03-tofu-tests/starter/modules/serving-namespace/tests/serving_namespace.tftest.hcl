# Unit tests for the serving-namespace module: run `tofu test` in modules/serving-namespace.
# TODO: test the module's promises (see the instructions): names, labels, quotas,
# log level, outputs, and that bad input is rejected.

variables {
  team        = "fraud"
  environment = "dev"
}

run "plans" {
  command = plan
}
