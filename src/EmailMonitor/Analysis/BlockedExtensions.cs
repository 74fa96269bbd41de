namespace EmailMonitor.Analysis;

/// <summary>
/// Attachment extensions refused by default: the executable and script types mail providers
/// publish as blocked (Gmail's list, with Outlook's additions), plus disk images and shortcuts
/// that mount or run code when opened.
/// </summary>
internal sealed class BlockedExtensions
{
    public static readonly IReadOnlyList<string> Default =
    [
        "ade", "adp", "apk", "app", "appx", "appxbundle", "application", "bas", "bat", "cab", "cer", "chm", "cmd", "com",
        "cpl", "crt", "csh", "der", "diagcab", "diagcfg", "diagpack", "dll", "dmg", "ex_", "exe", "fxp", "gadget",
        "grp", "hlp", "hpj", "hta", "htc", "img", "inf", "ins", "iso", "isp", "its", "jar", "jnlp", "js", "jse", "ksh",
        "lib", "lnk", "mad", "maf", "mag", "mam", "maq", "mar", "mas", "mat", "mau", "mav", "maw", "mcf", "mda", "mdb",
        "mde", "mdt", "mdw", "mdz", "mjs", "msc", "msh", "msh1", "msh2", "mshxml", "msh1xml", "msh2xml", "msi", "msix",
        "msixbundle", "msp", "mst", "msu", "nsh", "ops", "osd", "pcd", "pif", "pl", "plg", "prf", "prg", "printerexport",
        "ps1", "ps1xml", "ps2", "ps2xml", "psc1", "psc2", "psd1", "psdm1", "psm1", "pst", "py", "pyc", "pyo", "pyw",
        "pyz", "pyzw", "reg", "scf", "scr", "sct", "settingcontent-ms", "sh", "shb", "shs", "sys", "theme", "tmp", "url",
        "vb", "vbe", "vbp", "vbs", "vhd", "vhdx", "vsmacros", "vsw", "vxd", "webpnp", "website", "ws", "wsb", "wsc",
        "wsf", "wsh", "xbap", "xll", "xnk",
    ];

    private readonly HashSet<string> _blocked;

    public BlockedExtensions(IEnumerable<string> configured)
    {
        var list = configured.Select(Normalize).Where(e => e.Length > 0).ToList();
        _blocked = new HashSet<string>(list.Count > 0 ? list : Default, StringComparer.OrdinalIgnoreCase);
    }

    public bool Contains(string extension) => _blocked.Contains(Normalize(extension));

    public static bool IsWellFormed(string extension)
    {
        var normalized = Normalize(extension);
        return normalized.Length is > 0 and <= 32 && normalized.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
    }

    private static string Normalize(string extension) => extension.Trim().TrimStart('.').ToLowerInvariant();
}
