using System.Globalization;

namespace EmailMonitor.Configuration;

/// <summary>
/// Reads the variables of CONTRACT §3 from the process environment and a dotenv file (in that
/// order of precedence, then defaults) and turns their text into typed configuration values.
/// Every problem is collected, none thrown, so that start-up can report them all at once.
/// </summary>
internal static class SettingsLoader
{
    private const int MaxEchoedLength = 40;
    private const string FileSuffix = "_FILE";

    public static LoadedSettings Load(IReadOnlyDictionary<string, string> environment, string? configPath)
    {
        var problems = new List<string>();
        var notices = new List<string>();
        var fileValues = new Dictionary<string, string>(StringComparer.Ordinal);
        string? fileName = null;

        var path = configPath ?? ".env";
        if (File.Exists(path))
        {
            fileName = path;
            try
            {
                var parsed = DotEnvFile.Parse(File.ReadAllText(path), path);
                problems.AddRange(parsed.Problems);
                foreach (var (key, value) in parsed.Values)
                {
                    if (ContractVariables.Find(key) is null && SecretFileOf(key) is null)
                    {
                        notices.Add($"{path}: {key} is not a known variable and is ignored");
                    }

                    fileValues[key] = value;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problems.Add($"--config: cannot read '{path}': {ex.Message}");
            }
        }
        else if (configPath is not null)
        {
            problems.Add($"--config: file '{configPath}' does not exist");
        }

        var sources = new List<VariableSource>();
        foreach (var variable in ContractVariables.All)
        {
            sources.Add(
                From(variable, environment, "environment", problems)
                ?? From(variable, fileValues, fileName, problems)
                ?? new VariableSource(variable, null, "default"));
        }

        return Translate(sources, problems, notices);
    }

    /// <summary>
    /// The variable's value from one source: <c>NAME</c> itself or, for a secret, <c>NAME_FILE</c>
    /// naming a file that holds it (compose secrets, systemd credentials, Kubernetes secret volumes),
    /// so the secret need not sit in the environment. Null when the source sets neither.
    /// </summary>
    private static VariableSource? From(
        ContractVariable variable, IReadOnlyDictionary<string, string> values, string? origin, List<string> problems)
    {
        var direct = values.TryGetValue(variable.Name, out var text) && text.Length > 0 ? text : null;
        var filePath = variable.IsSecret && values.TryGetValue(variable.Name + FileSuffix, out var path) && path.Length > 0 ? path : null;
        if (direct is not null && filePath is not null)
        {
            problems.Add($"{variable.Name}: set {variable.Name} or {variable.Name}{FileSuffix}, not both ({origin})");
            return new VariableSource(variable, null, origin!);
        }

        if (direct is not null)
        {
            return new VariableSource(variable, direct, origin!);
        }

        if (filePath is null)
        {
            return null;
        }

        var (secret, problem) = SecretFile.Read(filePath);
        if (problem is not null)
        {
            problems.Add($"{variable.Name}{FileSuffix}: '{Echo(filePath)}' {problem}");
            return new VariableSource(variable, null, origin!);
        }

        return new VariableSource(variable, secret, $"{origin}, {variable.Name}{FileSuffix}");
    }

    /// <summary>The secret variable that <paramref name="name"/> is the <c>_FILE</c> form of, if any.</summary>
    private static ContractVariable? SecretFileOf(string name) =>
        name.EndsWith(FileSuffix, StringComparison.Ordinal)
        && ContractVariables.Find(name[..^FileSuffix.Length]) is { IsSecret: true } secret
            ? secret
            : null;

    /// <summary>Translates variables given directly (tests, embedded defaults) as if they came from the environment.</summary>
    public static LoadedSettings FromVariables(IReadOnlyDictionary<string, string> variables) =>
        Load(variables, configPath: null);

    private static LoadedSettings Translate(List<VariableSource> sources, List<string> problems, List<string> notices)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var effective = new List<EffectiveVariable>();

        foreach (var (variable, setValue, origin) in sources)
        {
            var text = setValue ?? variable.Default;
            effective.Add(new EffectiveVariable(variable.Name, Show(variable, text), origin));

            if (setValue is not null && variable.Key is null)
            {
                notices.Add($"{variable.Name} is set but not used by this version yet");
            }

            if (text is null || variable.Key is null)
            {
                continue;
            }

            var problem = Convert(variable, text.Trim(), values);
            if (problem is not null)
            {
                problems.Add($"{variable.Name}: {problem}");
            }
        }

        // OpenSSL reads SSL_CERT_FILE as its CA bundle, and many systems set it globally: on its
        // own it is not taken as a request to serve TLS.
        if (Set("SSL_CERT_FILE") && !Set("SSL_KEY_FILE"))
        {
            notices.Add("SSL_CERT_FILE is set without SSL_KEY_FILE, so TLS stays off (SSL_CERT_FILE is also OpenSSL's CA-bundle variable)");
        }

        return new LoadedSettings(values, problems, notices, effective);

        bool Set(string name) => sources.Any(s => s.Variable.Name == name && s.Value is not null);
    }

    private static string? Convert(ContractVariable variable, string text, Dictionary<string, string?> values)
    {
        var key = variable.Key!;
        switch (variable.Format)
        {
            case VariableFormat.Text:
            case VariableFormat.Secret:
                values[key] = text;
                return null;

            case VariableFormat.Integer:
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                {
                    return $"'{Echo(text)}' is not a whole number";
                }

                values[key] = number.ToString(CultureInfo.InvariantCulture);
                return null;

            case VariableFormat.Seconds:
            case VariableFormat.Minutes:
            case VariableFormat.Days:
                var unit = variable.Format.ToString().ToLowerInvariant();
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                {
                    return $"'{Echo(text)}' is not a whole number of {unit}";
                }

                var span = variable.Format switch
                {
                    VariableFormat.Seconds => TimeSpan.FromSeconds(count),
                    VariableFormat.Minutes => TimeSpan.FromMinutes(count),
                    _ => TimeSpan.FromDays(count),
                };
                values[key] = span.ToString("c", CultureInfo.InvariantCulture);
                return null;

            case VariableFormat.Boolean:
                bool? flag = text.ToLowerInvariant() switch
                {
                    "true" or "1" or "yes" or "on" => true,
                    "false" or "0" or "no" or "off" => false,
                    _ => null,
                };
                if (flag is null)
                {
                    return $"'{Echo(text)}' is not true or false";
                }

                values[key] = flag.Value ? "true" : "false";
                return null;

            case VariableFormat.List:
                var items = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                for (var i = 0; i < items.Length; i++)
                {
                    values[$"{key}:{i}"] = items[i];
                }

                return null;

            case VariableFormat.NetworkList:
                var networks = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                for (var i = 0; i < networks.Length; i++)
                {
                    if (ParseNetwork(networks[i]) is not { } network)
                    {
                        return $"'{Echo(networks[i])}' is not an IP address or a CIDR network such as 10.0.0.0/8";
                    }

                    values[$"{key}:{i}"] = network.ToString();
                }

                return null;

            case VariableFormat.OriginList:
                var origins = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                for (var i = 0; i < origins.Length; i++)
                {
                    if (ParseOrigin(origins[i]) is not { } origin)
                    {
                        return $"'{Echo(origins[i])}' is not an origin such as https://mail.example.com";
                    }

                    values[$"{key}:{i}"] = origin;
                }

                return null;

            case VariableFormat.Choice:
                var choice = variable.Choices!.FirstOrDefault(c => string.Equals(c, text, StringComparison.OrdinalIgnoreCase));
                if (choice is null)
                {
                    return $"'{Echo(text)}' is not one of {string.Join(", ", variable.Choices!)}";
                }

                values[key] = choice;
                return null;

            default:
                throw new InvalidOperationException($"Unknown format {variable.Format}");
        }
    }

    // A bare address is a network of one: 10.1.2.3 is 10.1.2.3/32.
    private static System.Net.IPNetwork? ParseNetwork(string text)
    {
        if (System.Net.IPNetwork.TryParse(text, out var network))
        {
            return network;
        }

        return System.Net.IPAddress.TryParse(text, out var address)
            ? new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            : null;
    }

    // An origin is what a browser sends in the Origin header: scheme://host[:port], nothing more.
    private static string? ParseOrigin(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri)
            && uri.Scheme is "http" or "https"
            && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : null;

    private static string Show(ContractVariable variable, string? text) => text switch
    {
        null or "" => "(not set)",
        _ when variable.IsSecret => "********",
        _ => text,
    };

    // Values come from outside: echo a bounded, printable prefix only.
    private static string Echo(string text)
    {
        var printable = new string(text.Take(MaxEchoedLength).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return text.Length > MaxEchoedLength ? printable + "…" : printable;
    }

    private sealed record VariableSource(ContractVariable Variable, string? Value, string Origin);
}
