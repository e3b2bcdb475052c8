"""constructs_ecs."""
