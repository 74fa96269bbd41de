using System.Runtime.Versioning;

// The integration tests run Debian's Dovecot and Chromium.
[assembly: SupportedOSPlatform("linux")]
