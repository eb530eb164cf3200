# The plan schema version the Nix side reads (docs/plan-schema.md); the generator writes the same
# number (src/output/plan.rs, SCHEMA_VERSION).
3
