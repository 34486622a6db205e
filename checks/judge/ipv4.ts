/** Small IPv4 helpers; the lab is IPv4 only, as k3s's defaults are. */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Whether the text is a dotted-quad IPv4 address. */
export function isIpv4(text: string): boolean {
  const match = IPV4.exec(text);
  return match !== null && match.slice(1).every((octet) => Number(octet) <= 255);
}

function toNumber(address: string): number {
  return address.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
}

/** Whether `address` lies in `cidr` (a.b.c.d/n); false for anything that is not IPv4. */
export function cidrContains(cidr: string, address: string): boolean {
  const [network, bits] = cidr.split("/");
  const prefix = Number(bits);
  if (
    !isIpv4(network) ||
    !isIpv4(address) ||
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > 32
  ) {
    return false;
  }
  const size = 2 ** (32 - prefix);
  return Math.floor(toNumber(network) / size) === Math.floor(toNumber(address) / size);
}
