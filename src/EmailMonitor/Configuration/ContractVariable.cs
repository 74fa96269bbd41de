namespace EmailMonitor.Configuration;

/// <summary>
/// One variable of CONTRACT §3: the name users write, the configuration key a feature binds,
/// the format of its text and its default. A null <see cref="Key"/> marks a variable that is
/// recognised but not used by this version yet.
/// </summary>
internal sealed record ContractVariable(
    string Name,
    string? Key,
    VariableFormat Format,
    string? Default,
    string Help,
    IReadOnlyList<string>? Choices = null)
{
    public bool IsSecret => Format == VariableFormat.Secret;
}
