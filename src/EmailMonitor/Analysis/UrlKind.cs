namespace EmailMonitor.Analysis;

/// <summary>What a URL found in an email would make a browser do, judged as browsers parse it.</summary>
internal enum UrlKind
{
    /// <summary>Resolved against the page showing the email (a path, "//host" and its backslash forms are not this: they are remote).</summary>
    Relative,

    /// <summary>Only a fragment ("#top"): stays within the email.</summary>
    Fragment,

    /// <summary>http or https on a host of its own.</summary>
    Remote,

    /// <summary>A data: URL (an image that travels inside the message, or a document).</summary>
    Data,

    /// <summary>A cid: reference to a part of the message.</summary>
    ContentId,

    Mailto,

    /// <summary>Runs code when followed or loaded: javascript:, vbscript:, or a data: document that can hold script.</summary>
    Script,

    /// <summary>Anything else, including what no browser can parse.</summary>
    Other,
}
