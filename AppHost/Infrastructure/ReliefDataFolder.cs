using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Relief.AppHost.Infrastructure;

/// <summary>
/// The one folder that keeps a Relief stack's state across runs (configuration key <c>Infrastructure:DataFolder</c>):
/// the generated secrets (<c>secrets.json</c>) and, in local mode, PostgreSQL's cluster (<c>postgres/</c>) and
/// RabbitMQ's node (<c>rabbitmq/</c>). Stop and start keep offices, users, cases and readable ID numbers; removing the
/// folder (<c>./run.sh --reset</c>) starts clean.
/// </summary>
public sealed class ReliefDataFolder
{
    public const string ConfigurationKey = "Infrastructure:DataFolder";
    private const string SecretsFileName = "secrets.json";
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private readonly object gate = new();

    private ReliefDataFolder(string path) => Path = path;

    public string Path { get; }

    public string PostgresFolder => System.IO.Path.Combine(Path, "postgres");
    public string RabbitMQFolder => System.IO.Path.Combine(Path, "rabbitmq");
    private string SecretsFile => System.IO.Path.Combine(Path, SecretsFileName);

    /// <summary>
    /// The configured folder, else <c>/var/lib/relief</c> for root and <c>$XDG_DATA_HOME/relief</c> (or
    /// <c>~/.local/share/relief</c>) for anyone else — the same rule as <c>run.sh --reset</c> and <c>scripts/psql.sh</c>.
    /// </summary>
    public static ReliefDataFolder Open(IConfiguration configuration)
    {
        var configured = configuration[ConfigurationKey];
        var path = !string.IsNullOrWhiteSpace(configured) ? System.IO.Path.GetFullPath(configured) : DefaultPath();
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            // Others may pass through (the postgres user to its own subfolder) but not list or read: the secrets are here.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return new ReliefDataFolder(path);
    }

    public static string DefaultPath()
    {
        if (Environment.UserName == "root")
        {
            return "/var/lib/relief";
        }

        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        return System.IO.Path.Combine(string.IsNullOrEmpty(dataHome)
            ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
            : dataHome, "relief");
    }

    /// <summary>
    /// The secret called <paramref name="name"/>: generated on the first run (letters and digits, so it sits unquoted
    /// in connection strings and rabbitmq.conf), then read back from <c>secrets.json</c> (owner-only) at every start.
    /// A value given on the command line or in the environment wins and is not stored.
    /// </summary>
    public string Secret(string name, int length = 32)
    {
        lock (gate)
        {
            var secrets = ReadSecrets();
            if (secrets.TryGetValue(name, out var value))
            {
                return value;
            }

            value = RandomNumberGenerator.GetString(SecretAlphabet, length);
            secrets[name] = value;
            WriteSecrets(secrets);
            return value;
        }
    }

    private Dictionary<string, string> ReadSecrets() =>
        File.Exists(SecretsFile)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(SecretsFile)) ?? []
            : [];

    private void WriteSecrets(Dictionary<string, string> secrets)
    {
        // Written whole to a new owner-only file, then renamed over the old one: a crash never leaves half a file.
        var temporary = SecretsFile + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, secrets, SecretsJson);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, SecretsFile, overwrite: true);
    }

    private static readonly JsonSerializerOptions SecretsJson = new() { WriteIndented = true };
}

public static class ReliefSecretExtensions
{
    /// <summary>
    /// A secret parameter whose generated value survives restarts (kept in the data folder); a value configured as
    /// <c>Parameters:{name}</c> (command line, environment, user secrets) takes precedence.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddPersistentSecret(
        this IDistributedApplicationBuilder builder, ReliefDataFolder folder, string name, int length = 32)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(folder);
        var key = $"Parameters:{name}";
        if (string.IsNullOrEmpty(builder.Configuration[key]))
        {
            builder.Configuration[key] = folder.Secret(name, length);
        }

        return builder.AddParameter(name, secret: true);
    }
}
