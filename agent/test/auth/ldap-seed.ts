import { createHash, randomBytes } from 'node:crypto';

/** The directory the LDAP tests sign in against, below `dc=example,dc=org`. */
export const suffix = 'dc=example,dc=org';
export const people = `ou=people,${suffix}`;

/** The test users: name (the `uid` value, which may hold DN and filter syntax) and password. */
export const users = {
  alice: { uid: 'alice', password: 'alice-pw-1' }, // in dba (operator) and staff
  bob: { uid: 'bob', password: 'bob-pw-2' }, // in staff (viewer)
  eve: { uid: 'eve', password: 'eve-pw-3' }, // in no group
  // Bait for DN injection: `admin,ou=x` unescaped would be this entry, in dba.
  bait: { uid: 'admin', password: 'bait-pw-4' },
  // A real user whose name is filter syntax: unescaped, `(memberUid={username})` matches every group.
  star: { uid: '*', password: 'star-pw-5' },
};

/** `{SSHA}` as slappasswd makes it: sha1(password + salt) + salt, base64. */
function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

function person(dn: string, uid: string, password: string): string {
  return `dn: ${dn}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${uid}\nsn: ${uid}\nuserPassword: ${ssha(password)}\n`;
}

/** The seed, as LDIF for slapadd: people, groupOfNames groups (member = DN), posixGroups (memberUid). */
export function seedLdif(): string {
  const alice = `uid=alice,${people}`;
  const bait = `uid=admin,ou=x,${people}`;
  const entries = [
    `dn: ${suffix}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n`,
    `dn: ${people}\nobjectClass: organizationalUnit\nou: people\n`,
    `dn: ou=x,${people}\nobjectClass: organizationalUnit\nou: x\n`,
    `dn: ou=groups,${suffix}\nobjectClass: organizationalUnit\nou: groups\n`,
    `dn: ou=posix,${suffix}\nobjectClass: organizationalUnit\nou: posix\n`,
    person(alice, 'alice', users.alice.password),
    person(`uid=bob,${people}`, 'bob', users.bob.password),
    person(`uid=eve,${people}`, 'eve', users.eve.password),
    person(bait, 'admin', users.bait.password),
    person(`uid=*,${people}`, users.star.uid, users.star.password),
    `dn: cn=dba,ou=groups,${suffix}\nobjectClass: groupOfNames\ncn: dba\nmember: ${alice}\nmember: ${bait}\n`,
    `dn: cn=staff,ou=groups,${suffix}\nobjectClass: groupOfNames\ncn: staff\nmember: ${alice}\nmember: uid=bob,${people}\n`,
    `dn: cn=dba,ou=posix,${suffix}\nobjectClass: posixGroup\ncn: dba\ngidNumber: 5001\nmemberUid: alice\n`,
  ];
  return entries.join('\n');
}
