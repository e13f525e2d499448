import { hello } from '@port-yard/shared';
const x: number = 3;
console.log(hello, x, process.version);
