namespace EmailMonitor.Configuration;

/// <summary>A variable as the service will use it, with secrets masked, and where its value came from.</summary>
internal sealed record EffectiveVariable(string Name, string ShownValue, string Source);
