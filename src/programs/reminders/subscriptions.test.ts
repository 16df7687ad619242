import { describe, expect, it } from 'vitest';
import { DEFAULT_PUSH_SERVICE_HOSTS, loadConfig } from '../../config/config.ts';
import { endpointProblem } from './subscriptions.ts';

describe('push subscription endpoints', () => {
  it('accepts the browsers’ push services, including their subdomains', () => {
    for (const endpoint of [
      'https://fcm.googleapis.com/fcm/send/abc:APA91b',
      'https://updates.push.services.mozilla.com/wpush/v2/gAAAA',
      'https://wns2-par02p.notify.windows.com/w/?token=BQYAAA',
      'https://web.push.apple.com/QGuQyavXutnMH',
    ]) expect(endpointProblem(endpoint, DEFAULT_PUSH_SERVICE_HOSTS), endpoint).toBeUndefined();
  });

  it('refuses other hosts, look-alike hosts, plain http and embedded credentials', () => {
    expect(endpointProblem('https://10.0.0.5/admin', DEFAULT_PUSH_SERVICE_HOSTS)).toContain('10.0.0.5');
    expect(endpointProblem('https://fcm.googleapis.com.evil.example/x', DEFAULT_PUSH_SERVICE_HOSTS)).toBeDefined();
    expect(endpointProblem('https://evilfcm.googleapis.com/x', DEFAULT_PUSH_SERVICE_HOSTS)).toBeDefined();
    expect(endpointProblem('http://fcm.googleapis.com/fcm/send/x', DEFAULT_PUSH_SERVICE_HOSTS)).toContain('https');
    expect(endpointProblem('https://user:pw@fcm.googleapis.com/x', DEFAULT_PUSH_SERVICE_HOSTS)).toBeDefined();
    expect(endpointProblem('not a url', DEFAULT_PUSH_SERVICE_HOSTS)).toBeDefined();
  });

  it('HSSK_PUSH_SERVICE_HOSTS replaces the list; * allows any https host', () => {
    const own = loadConfig({ HSSK_PUSH_SERVICE_HOSTS: 'push.lamdong.gov.vn, Localhost' }).push.serviceHosts;
    expect(own).toEqual(['push.lamdong.gov.vn', 'localhost']);
    expect(endpointProblem('https://push.lamdong.gov.vn/s/1', own)).toBeUndefined();
    expect(endpointProblem('https://fcm.googleapis.com/fcm/send/x', own)).toBeDefined();
    const any = loadConfig({ HSSK_PUSH_SERVICE_HOSTS: '*' }).push.serviceHosts;
    expect(endpointProblem('https://anything.example/x', any)).toBeUndefined();
    expect(endpointProblem('http://anything.example/x', any)).toBeDefined();
    expect(() => loadConfig({ HSSK_PUSH_SERVICE_HOSTS: 'bad host/' })).toThrow(/HSSK_PUSH_SERVICE_HOSTS/);
    expect(() => loadConfig({ HSSK_VAPID_SUBJECT: 'http://hssk.example' })).toThrow(/HSSK_VAPID_SUBJECT/);
  });
});
