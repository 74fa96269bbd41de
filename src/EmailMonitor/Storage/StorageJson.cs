using System.Text.Json.Serialization;

namespace EmailMonitor.Storage;

[JsonSerializable(typeof(string[]))]
internal sealed partial class StorageJson : JsonSerializerContext;
