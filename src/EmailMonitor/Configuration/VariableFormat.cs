namespace EmailMonitor.Configuration;

/// <summary>How a variable's text is written by users and turned into a typed configuration value.</summary>
internal enum VariableFormat
{
    Text,
    Secret,
    Integer,
    Seconds,
    Minutes,
    Days,
    Boolean,
    List,
    Choice,

    /// <summary>A comma list of IP addresses and CIDR networks, v4 or v6.</summary>
    NetworkList,

    /// <summary>A comma list of web origins: scheme, host and optional port.</summary>
    OriginList,
}
