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
}
