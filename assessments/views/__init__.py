"""Browser pages, one module per area. Thin: reads via selectors, writes via services."""
