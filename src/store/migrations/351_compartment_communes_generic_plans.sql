-- The stamping functions of migration 350 look rows up by key with array arguments; PL/pgSQL
-- kept choosing custom plans for them, so every call planned its statements again (~250 µs of
-- a ~70 µs call, on every single create). Their generic plans are the same index look-ups.
ALTER FUNCTION hssk_compartment_communes(text[]) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION hssk_restamp_compartments(text[], boolean) SET plan_cache_mode = force_generic_plan;
