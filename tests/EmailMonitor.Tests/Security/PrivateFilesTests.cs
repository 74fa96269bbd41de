using EmailMonitor.Pipeline;
using Microsoft.Data.Sqlite;
using EmailMonitor.Tests.Support;

namespace EmailMonitor.Tests.Security;

/// <summary>Mail, credentials and logs on disk are readable by the service's own user only.</summary>
public sealed class PrivateFilesTests
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Data_and_log_directories_are_created_0700_and_every_file_in_them_is_0600()
    {
        await using var dovecot = await DovecotServer.StartAsync();
        using var directory = new TempDirectory();
        var variables = ServiceHost.DefaultVariables(directory.Path, dovecot);
        variables["DATA_DIR"] = Path.Combine(directory.Path, "state", "data");
        variables["LOG_DIR"] = Path.Combine(directory.Path, "state", "logs");
        // Development without JWT_SECRET_KEY: the service makes and keeps its own key in DATA_DIR.
        variables.Remove("JWT_SECRET_KEY");
        // The files of the embedded database are what this is about.
        variables.Remove("DATABASE_URL");
        await using (var service = ServiceProcess.Start(variables, directory.Path))
        {
            var uri = await service.ListeningAsync();
            await Readiness.WaitForMailboxesAsync(uri);
            await service.SignalAsync("TERM");
            Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        // SQLite creates the write-ahead log and shared-memory files with the database file's
        // mode, whoever opens it (this test's umask would give 0644): write once to have them.
        var database = Directory.GetFiles(variables["DATA_DIR"], "*.db").Single();
        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE probe (x INTEGER); DROP TABLE probe;";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);

            foreach (var created in new[] { variables["DATA_DIR"], variables["LOG_DIR"] })
            {
                Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(created));
                Assert.All(Directory.GetFiles(created), file => Assert.True(File.GetUnixFileMode(file) == OwnerOnlyFile, $"{Path.GetFileName(file)} is {File.GetUnixFileMode(file)}"));
            }

            Assert.Contains(Directory.GetFiles(variables["DATA_DIR"]), file => file.EndsWith(".db-wal", StringComparison.Ordinal));
        }

        Assert.Contains(Directory.GetFiles(variables["DATA_DIR"]), file => file.EndsWith(".key", StringComparison.Ordinal));
        Assert.Contains(Directory.GetFiles(variables["LOG_DIR"]), file => file.EndsWith("email_monitor.log", StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_everyone_could_read_loses_that_and_keeps_the_group_access_an_operator_gave()
    {
        using var directory = new TempDirectory();
        var log = Path.Combine(directory.Path, "email_monitor.log");
        File.WriteAllText(log, "older version");
        File.SetUnixFileMode(log, OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        EmailMonitor.PrivateFiles.Restrict(log);

        Assert.Equal(OwnerOnlyFile | UnixFileMode.GroupRead, File.GetUnixFileMode(log));
    }

    [Fact]
    public async Task A_large_message_spooled_to_disk_is_never_readable_by_another_user()
    {
        var bytes = new byte[(int)RawContent.InMemoryLimit + 1];

        using var content = await RawContent.CopyFromAsync(new MemoryStream(bytes), bytes.Length, TestContext.Current.CancellationToken);

        var file = Assert.IsType<FileStream>(content.Rewind());
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(file.SafeFileHandle));
    }
}
