import type { BenchTable } from './data-shape.ts';
import { browsers, countries, eventKinds, extensions, literal, mimeTypes, statuses } from './data-shape.ts';
import type { SqlDialect } from './sql-dialect.ts';

/**
 * The bench tables: columns and the SQL expression computing each from the row id. The content is
 * meant to look like an online shop's database (names, addresses, free-text notes, JSON event
 * payloads, small binary attachments), so that a dump compresses about like a real one (zstd -3
 * ratio around 3).
 */
interface Column {
  readonly name: string;
  readonly type: (d: SqlDialect) => string;
  readonly value: (d: SqlDialect, customers: number) => string;
}

const firstNames = ['Anna', 'Ben', 'Clara', 'David', 'Elif', 'Finn', 'Greta', 'Hugo'];
const moreFirstNames = ['Ines', 'Jonas', 'Karla', 'Luca', 'Mila', 'Noah', 'Olga', 'Paul'];
const lastNames = ['Schmidt', 'Martin', 'Jansen', 'Kowalski', 'Garcia', 'Rossi', 'Novak', 'Berg'];
const moreLastNames = ['Dubois', 'Murphy', 'Nielsen', 'Silva', 'Weber', 'Horvat', 'Virtanen', 'Smith'];
const domains = ['example.com', 'mail.example.org', 'shop.example.net', 'inbox.example.de'];
const streetKinds = ['Street', 'Avenue', 'Road', 'Lane', 'Way', 'Square', 'Court', 'Place'];
const cities = [
  'Berlin',
  'Paris',
  'Amsterdam',
  'Brussels',
  'Warsaw',
  'Madrid',
  'Rome',
  'Vienna',
  'Stockholm',
  'Copenhagen',
  'Prague',
  'Lisbon',
  'Dublin',
  'Helsinki',
  'London',
  'Boston',
];
const fileMagic = [
  '255044462d312e340a25',
  '89504e470d0a1a0a0000',
  'ffd8ffe000104a464946',
  '48656c6c6f2c20776f72',
];

const int = (d: SqlDialect, high: number, low: number): string => `(${d.byte(high)} * 256 + ${d.byte(low)})`;

/** `count` words (some numbers) from bytes `first…`; words after `always` are present 2/3 of the time. */
function sentence(d: SqlDialect, first: number, count: number, always: number): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const k = (first + i) % 48;
    // Every fourth token is a number (a quantity, a house or order number): real text is not all words.
    const word =
      i % 4 === 3 ? `${int(d, k, (k + 29) % 48)} % ${i % 8 === 3 ? 997 : 65536}` : d.word(d.byte(k));
    parts.push(i < always ? word : `CASE WHEN ${d.byte((k + 17) % 48)} < 170 THEN ${word} END`);
  }
  return d.joinWords(parts);
}

const columns: Record<BenchTable, readonly Column[]> = {
  customers: [
    { name: 'id', type: (d) => `${d.types.id} PRIMARY KEY`, value: () => 'id' },
    {
      name: 'name',
      type: () => 'VARCHAR(100) NOT NULL',
      value: (d) =>
        d.concat([
          d.pick([...firstNames, ...moreFirstNames], d.byte(0)),
          literal(' '),
          d.pick([...lastNames, ...moreLastNames], d.byte(1)),
        ]),
    },
    {
      name: 'email',
      type: () => 'VARCHAR(160) NOT NULL',
      value: (d) =>
        d.concat([
          d.word(d.byte(2)),
          literal('.'),
          d.word(d.byte(3)),
          'id',
          literal('@'),
          d.pick(domains, d.byte(4)),
        ]),
    },
    { name: 'country', type: () => 'CHAR(2) NOT NULL', value: (d) => d.pick(countries, d.byte(5)) },
    {
      name: 'created_at',
      type: (d) => `${d.types.datetime} NOT NULL`,
      value: (d) => d.timestamp(`id * 53 + ${d.byte(6)}`),
    },
    { name: 'balance', type: (d) => `${d.types.money} NOT NULL`, value: (d) => `${int(d, 7, 8)} / 100.0` },
    { name: 'bio', type: () => 'VARCHAR(600)', value: (d) => sentence(d, 9, 24, 6) },
  ],
  orders: [
    { name: 'id', type: (d) => `${d.types.id} PRIMARY KEY`, value: () => 'id' },
    {
      name: 'customer_id',
      type: (d) => `${d.types.int} NOT NULL`,
      value: (_d, customers) => `1 + (id * 7919) % ${customers}`,
    },
    { name: 'status', type: () => 'VARCHAR(16) NOT NULL', value: (d) => d.pick(statuses, d.byte(0)) },
    { name: 'total', type: (d) => `${d.types.money} NOT NULL`, value: (d) => `${int(d, 1, 2)} / 10.0` },
    { name: 'items', type: (d) => `${d.types.smallint} NOT NULL`, value: (d) => `1 + ${d.byte(3)} % 9` },
    {
      name: 'created_at',
      type: (d) => `${d.types.datetime} NOT NULL`,
      value: (d) => d.timestamp(`id * 11 + ${d.byte(4)}`),
    },
    {
      name: 'updated_at',
      type: (d) => `${d.types.datetime} NOT NULL`,
      value: (d) => d.timestamp(`id * 11 + ${int(d, 5, 6)} * 9`),
    },
    {
      name: 'shipping_address',
      type: () => 'VARCHAR(255) NOT NULL',
      value: (d) =>
        d.concat([
          `1 + ${d.byte(7)}`,
          literal(' '),
          d.word(d.byte(8)),
          literal(' '),
          d.pick(streetKinds, d.byte(9)),
          literal(', '),
          `10000 + ${int(d, 10, 11)}`,
          literal(' '),
          d.pick(cities, d.byte(12)),
        ]),
    },
    { name: 'payment_ref', type: () => 'CHAR(32) NOT NULL', value: (d) => d.hex(3) },
    { name: 'note', type: () => 'VARCHAR(1000)', value: (d) => sentence(d, 13, 30, 4) },
  ],
  events: [
    { name: 'id', type: (d) => `${d.types.id} PRIMARY KEY`, value: () => 'id' },
    {
      name: 'occurred_at',
      type: (d) => `${d.types.datetimeMs} NOT NULL`,
      value: (d) => d.timestamp(`id * 7 + ${int(d, 0, 1)} / 1000.0`),
    },
    { name: 'kind', type: () => 'VARCHAR(32) NOT NULL', value: (d) => d.pick(eventKinds, d.byte(2)) },
    { name: 'user_id', type: (d) => d.types.int, value: (d) => `1 + ${int(d, 3, 4)} * 7` },
    {
      name: 'payload',
      type: (d) => `${d.types.text} NOT NULL`,
      value: (d) =>
        d.concat([
          literal('{"session":"'),
          d.hex(2),
          literal('","trace":"'),
          d.hex(3),
          literal('","action":"'),
          d.pick(eventKinds, d.byte(2)),
          literal('","path":"/'),
          d.word(d.byte(5)),
          literal('/'),
          d.word(d.byte(6)),
          literal('-'),
          d.word(d.byte(7)),
          literal('","query":"'),
          d.word(d.byte(8)),
          literal('+'),
          d.word(d.byte(9)),
          literal('","ip":"10.'),
          d.byte(10),
          literal('.'),
          d.byte(11),
          literal('.'),
          d.byte(12),
          literal('","ua":"Mozilla/5.0 (X11; Linux x86_64) '),
          d.pick(browsers, d.byte(13)),
          literal('","tags":["'),
          d.word(d.byte(14)),
          literal('","'),
          d.word(d.byte(15)),
          literal('"],"duration_ms":'),
          int(d, 16, 17),
          literal(',"comment":"'),
          sentence(d, 18, 14, 3),
          literal('"}'),
        ]),
    },
  ],
  attachments: [
    { name: 'id', type: (d) => `${d.types.id} PRIMARY KEY`, value: () => 'id' },
    { name: 'order_id', type: (d) => `${d.types.id} NOT NULL`, value: () => '1 + (id * 104729) % 1000003' },
    {
      name: 'filename',
      type: () => 'VARCHAR(200) NOT NULL',
      value: (d) =>
        d.concat([
          d.word(d.byte(0)),
          literal('-'),
          d.word(d.byte(1)),
          literal('-'),
          'id',
          literal('.'),
          d.pick(extensions, d.byte(2)),
        ]),
    },
    { name: 'mime', type: () => 'VARCHAR(64) NOT NULL', value: (d) => d.pick(mimeTypes, d.byte(2)) },
    { name: 'checksum', type: () => 'CHAR(32) NOT NULL', value: (d) => d.hex(3) },
    {
      name: 'content',
      type: (d) => `${d.types.blob} NOT NULL`,
      value: (d) => d.blob(d.pick(fileMagic, d.byte(2)), [1, 2, 3], sentence(d, 20, 28, 10)),
    },
  ],
};

export function createTableSql(d: SqlDialect, table: BenchTable): string {
  const list = columns[table].map((column) => `  ${column.name} ${column.type(d)}`).join(',\n');
  return `CREATE TABLE ${table} (\n${list}\n)${d.tableOptions}`;
}

/** `INSERT INTO table SELECT … ` for ids `from..to`. */
export function insertRowsSql(
  d: SqlDialect,
  table: BenchTable,
  from: number,
  to: number,
  customers: number,
): string {
  const names = columns[table].map((column) => column.name).join(', ');
  const values = columns[table].map((column) => column.value(d, customers)).join(',\n  ');
  return `INSERT INTO ${table} (${names})\nSELECT\n  ${values}\nFROM ${d.rowSource(from, to)}`;
}
