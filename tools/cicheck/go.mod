// CI checks that need more than the standard library: the JSON-schema
// validation of action.yml, .pre-commit-hooks.yaml and the OpenAPI document.
module github.com/exifscrub/exifscrub/tools/cicheck

go 1.24.0

require (
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.1
	gopkg.in/yaml.v3 v3.0.1
)

require golang.org/x/text v0.14.0 // indirect
