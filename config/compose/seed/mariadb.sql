-- Sample data for the compose trial's `shop` target (run once, when the MariaDB volume is new).
CREATE DATABASE IF NOT EXISTS shop;
USE shop;
CREATE TABLE customers (
  id INT PRIMARY KEY AUTO_INCREMENT,
  name VARCHAR(100) NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE orders (
  id INT PRIMARY KEY AUTO_INCREMENT,
  customer_id INT NOT NULL REFERENCES customers (id),
  total DECIMAL(10, 2) NOT NULL
);
INSERT INTO customers (name) VALUES ('Ada'), ('Grace'), ('Edsger');
INSERT INTO orders (customer_id, total) VALUES (1, 19.90), (1, 5.00), (2, 120.00), (3, 42.42);
