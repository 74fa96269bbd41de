using EmailMonitor.Mail;

namespace EmailMonitor.Analysis;

/// <summary>An email's verdict together with the folder position it advances the checkpoint to.</summary>
internal sealed record AnalysedEmail(FolderKey Folder, uint UidValidity, uint Uid, EmailEvent Event);
