namespace EmailMonitor.Pipeline;

/// <summary>Names one watched folder of one configured mailbox.</summary>
internal readonly record struct FolderKey(string Mailbox, string Folder)
{
    public override string ToString() => $"{Mailbox}/{Folder}";
}
