import { BlockList, isIP } from 'node:net';

/** Whether `address` (as the socket reports it, IPv4-mapped IPv6 included) is in one of `cidrs`. */
export function createAddressMatcher(cidrs: readonly string[]): (address: string | undefined) => boolean {
  const list = new BlockList();
  for (const entry of cidrs) {
    const [ip, bits] = entry.split('/');
    const family = isIP(ip!) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(ip!, family);
    else list.addSubnet(ip!, Number(bits), family);
  }
  return (address) => {
    if (!address) return false;
    const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const family = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
    return isIP(plain) !== 0 && list.check(plain, family);
  };
}
