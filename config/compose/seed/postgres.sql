-- Sample data for the compose trial's `warehouse` target (run once, when the PostgreSQL volume is new).
CREATE TABLE shipments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  destination text NOT NULL,
  weight_kg numeric(8, 2) NOT NULL,
  shipped_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO shipments (destination, weight_kg) VALUES ('Hamburg', 12.5), ('Rotterdam', 3.2), ('Antwerp', 40);
