"""What only tests and benchmarks use: synthetic reports (:mod:`.samples`) and hostile inputs (:mod:`.hostile`)."""
