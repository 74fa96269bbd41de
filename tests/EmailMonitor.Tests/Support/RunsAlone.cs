namespace EmailMonitor.Tests.Support;

/// <summary>Tests whose subject races the machine's load (not the service's logic): run after the others, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}
