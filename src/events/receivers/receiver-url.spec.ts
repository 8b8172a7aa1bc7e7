import {
  addressProblem,
  checkReceiverUrl,
  checkReceiverUrlForm,
  embeddedIpv4,
  parseReceiverAllowlist,
  ReceiverUrlError,
} from './receiver-url';

const none = parseReceiverAllowlist([]);

describe('addressProblem', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '169.254.0.1',
    '100.64.0.1',
    '100.100.100.200',
    '100.127.255.255',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '239.255.255.250',
    '255.255.255.255',
    '240.0.0.1',
    '192.0.0.192',
    '::1',
    '::',
    '[::1]',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'fc00::1',
    'fd00:ec2::254',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '::ffff:10.1.2.3',
    '0:0:0:0:0:ffff:c0a8:0101',
    '::127.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::',
    '2002:0a00:0001::1',
  ])('refuses %s', (address) => {
    expect(addressProblem(address, none)).toMatch(/not a public address/);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    'fe7f::1',
  ])('accepts the public %s', (address) => {
    expect(addressProblem(address, none)).toBeNull();
  });

  it('says so for what is no address at all', () => {
    expect(addressProblem('example.com', none)).toMatch(/not an IP address/);
  });

  it('lets the allow-list permit addresses, CIDRs and IPv4 inside IPv6', () => {
    const allow = parseReceiverAllowlist(['127.0.0.1', '10.1.0.0/16', 'fd12::/16']);
    expect(addressProblem('127.0.0.1', allow)).toBeNull();
    expect(addressProblem('::ffff:127.0.0.1', allow)).toBeNull();
    expect(addressProblem('10.1.200.3', allow)).toBeNull();
    expect(addressProblem('fd12:3::1', allow)).toBeNull();
    expect(addressProblem('127.0.0.2', allow)).not.toBeNull();
    expect(addressProblem('10.2.0.1', allow)).not.toBeNull();
    expect(addressProblem('fd13::1', allow)).not.toBeNull();
  });
});

describe('embeddedIpv4', () => {
  it('finds IPv4 in mapped, compatible, NAT64 and 6to4 forms', () => {
    expect(embeddedIpv4('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(embeddedIpv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedIpv4('0:0:0:0:0:ffff:a9fe:a9fe')).toBe('169.254.169.254');
    expect(embeddedIpv4('::ffff:0:a00:1')).toBe('10.0.0.1');
    expect(embeddedIpv4('::10.0.0.1')).toBe('10.0.0.1');
    expect(embeddedIpv4('64:ff9b::7f00:1')).toBe('127.0.0.1');
    expect(embeddedIpv4('2002:c0a8:101::1')).toBe('192.168.1.1');
    expect(embeddedIpv4('::1')).toBeNull();
    expect(embeddedIpv4('2606:4700::1111')).toBeNull();
  });
});

describe('checkReceiverUrlForm', () => {
  const refused = (url: string, allow = none) => {
    try {
      checkReceiverUrlForm(url, allow);
    } catch (error) {
      expect(error).toBeInstanceOf(ReceiverUrlError);
      return (error as Error).message;
    }
    throw new Error(`${url} was accepted`);
  };

  it('accepts a public https URL', () => {
    expect(checkReceiverUrlForm('https://hooks.example.com/scim/events').host).toBe('hooks.example.com');
    expect(checkReceiverUrlForm('https://8.8.8.8:8443/x').port).toBe('8443');
  });

  it('refuses other schemes, http, user info, fragments and garbage', () => {
    expect(refused('ftp://hooks.example.com/')).toMatch(/https/);
    expect(refused('http://hooks.example.com/')).toMatch(/must use https.*EVENT_RECEIVER_ALLOWLIST/);
    expect(refused('https://user:pw@hooks.example.com/')).toMatch(/user info/);
    expect(refused('https://user@hooks.example.com/')).toMatch(/user info/);
    expect(refused('https://hooks.example.com/#x')).toMatch(/fragment/);
    expect(refused('not a url')).toMatch(/valid absolute URL/);
    expect(refused('/relative')).toMatch(/valid absolute URL/);
  });

  it.each([
    'https://127.0.0.1/',
    'https://2130706433/',
    'https://0x7f.1/',
    'https://0177.0.0.1/',
    'https://127.1/',
    'https://0/',
    'https://[::1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:a9fe:a9fe]/',
    'https://169.254.169.254/latest/meta-data/',
    'https://0xa9.0xfe.0xa9.0xfe/',
    'https://2852039166/',
    'https://10.0.0.1/',
    'https://172.20.1.1/',
    'https://192.168.0.10/',
    'https://100.64.1.1/',
    'https://[fd00:ec2::254]/',
    'https://[fe80::1]/',
    'https://224.0.0.1/',
    'https://localhost/',
    'https://api.localhost/',
    'https://metadata.google.internal/',
    'https://intranet/',
  ])('refuses %s', (url) => {
    expect(refused(url)).toMatch(/not a public/);
  });

  it('permits allow-listed hosts, over http too', () => {
    const allow = parseReceiverAllowlist(['127.0.0.1', 'receiver.internal', '10.9.0.0/16', '::1']);
    expect(checkReceiverUrlForm('http://127.0.0.1:8080/events', allow).port).toBe('8080');
    expect(checkReceiverUrlForm('http://2130706433/', allow).hostname).toBe('127.0.0.1');
    expect(checkReceiverUrlForm('http://receiver.internal/', allow).hostname).toBe('receiver.internal');
    expect(checkReceiverUrlForm('https://RECEIVER.internal./', allow).protocol).toBe('https:');
    expect(checkReceiverUrlForm('http://10.9.3.4/', allow).hostname).toBe('10.9.3.4');
    expect(checkReceiverUrlForm('http://[::1]/', allow).hostname).toBe('[::1]');
    expect(refused('http://127.0.0.2/', allow)).toMatch(/https/);
    expect(refused('https://127.0.0.2/', allow)).toMatch(/not a public/);
  });
});

describe('checkReceiverUrl', () => {
  const resolving =
    (...addresses: string[]) =>
    () =>
      Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));

  it('accepts a name whose every address is public', async () => {
    await expect(
      checkReceiverUrl('https://hooks.example.com/', none, resolving('93.184.216.34', '2606:2800::1')),
    ).resolves.toBeInstanceOf(URL);
  });

  it('refuses a name of which ANY address is private', async () => {
    await expect(
      checkReceiverUrl('https://hooks.example.com/', none, resolving('93.184.216.34', '10.0.0.7')),
    ).rejects.toThrow(/resolves to 10\.0\.0\.7 is not a public address/);
    await expect(checkReceiverUrl('https://rebind.example.com/', none, resolving('::ffff:7f00:1'))).rejects.toThrow(
      /not a public address/,
    );
  });

  it('refuses a name that does not resolve', async () => {
    await expect(
      checkReceiverUrl('https://nowhere.example.com/', none, () => Promise.reject(new Error('ENOTFOUND'))),
    ).rejects.toThrow(/does not resolve/);
    await expect(checkReceiverUrl('https://empty.example.com/', none, resolving())).rejects.toThrow(/does not resolve/);
  });

  it('does not resolve an allow-listed name', async () => {
    const allow = parseReceiverAllowlist(['hooks.internal']);
    const resolve = jest.fn();
    await expect(checkReceiverUrl('https://hooks.internal/x', allow, resolve)).resolves.toBeInstanceOf(URL);
    expect(resolve).not.toHaveBeenCalled();
  });
});

describe('parseReceiverAllowlist', () => {
  it('refuses what is no host, IP or CIDR', () => {
    expect(() => parseReceiverAllowlist(['10.0.0.0/40'])).toThrow(/CIDR/);
    expect(() => parseReceiverAllowlist(['nope/8'])).toThrow(/CIDR/);
    expect(() => parseReceiverAllowlist(['x.example.com:443'])).toThrow(/host name/);
    expect(() => parseReceiverAllowlist(['a b'])).toThrow(/host name/);
    expect(parseReceiverAllowlist(['', ' ']).empty).toBe(true);
  });
});
