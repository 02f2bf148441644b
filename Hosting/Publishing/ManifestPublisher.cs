using System.Text.Encodings.Web;
using System.Text.Json;
using AddressBook.Hosting.ApplicationModel;

namespace AddressBook.Hosting.Publishing;

/// <summary>
/// Writes the Aspire manifest (the format azd deploys): containers as <c>container.v0</c>, projects as
/// <c>project.v0</c> with paths relative to the manifest, connection strings as <c>value.v0</c>, parameters
/// as <c>parameter.v0</c>. What the format has no field for (replicas, restart policy, memory limit,
/// probes) goes in a top-level <c>x-deployment</c> object: the schema allows it, azd ignores it.
/// </summary>
internal static class ManifestPublisher
{
    public const string SchemaUrl = "https://json.schemastore.org/aspire-8.0.json";

    public static async Task<IReadOnlyList<string>> PublishAsync(DeploymentModel model, string outputPath, CancellationToken cancellationToken)
    {
        var manifestPath = Path.HasExtension(outputPath) ? outputPath : Path.Combine(outputPath, "aspire-manifest.json");
        var manifestDirectory = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        Directory.CreateDirectory(manifestDirectory);

        using var stream = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("$schema", SchemaUrl);
            writer.WriteStartObject("resources");
            foreach (var resource in model.Resources)
            {
                writer.WriteStartObject(resource.Name);
                WriteResource(writer, resource, manifestDirectory);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            WriteDeploymentExtension(writer, model);
            writer.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
        await File.WriteAllBytesAsync(manifestPath, stream.ToArray(), cancellationToken).ConfigureAwait(false);
        return [manifestPath];
    }

    private static void WriteResource(Utf8JsonWriter writer, DeploymentResource resource, string manifestDirectory)
    {
        switch (resource.Kind)
        {
            case DeploymentKind.Parameter:
                WriteParameter(writer, resource.Parameter!);
                break;
            case DeploymentKind.Value:
                writer.WriteString("type", "value.v0");
                writer.WriteString("connectionString", resource.ConnectionString);
                break;
            case DeploymentKind.Container:
                writer.WriteString("type", "container.v0");
                if (resource.ConnectionString is { } connectionString)
                {
                    writer.WriteString("connectionString", connectionString);
                }

                writer.WriteString("image", resource.Image);
                WriteMounts(writer, resource, manifestDirectory);
                WriteEnvironment(writer, resource);
                WriteBindings(writer, resource);
                break;
            case DeploymentKind.Project:
                writer.WriteString("type", "project.v0");
                writer.WriteString("path", RelativePath(manifestDirectory, resource.ProjectPath!));
                WriteEnvironment(writer, resource);
                WriteBindings(writer, resource);
                break;
        }
    }

    private static void WriteParameter(Utf8JsonWriter writer, ParameterResource parameter)
    {
        writer.WriteString("type", "parameter.v0");
        writer.WriteString("value", $"{{{parameter.Name}.inputs.value}}");
        writer.WriteStartObject("inputs");
        writer.WriteStartObject("value");
        writer.WriteString("type", "string");
        if (parameter.Secret)
        {
            writer.WriteBoolean("secret", true);
        }

        if (parameter.Generate is { } generate)
        {
            writer.WriteStartObject("default");
            writer.WriteStartObject("generate");
            writer.WriteNumber("minLength", generate.MinLength);
            // The format's defaults allow every character class; only the ones the model excludes are written.
            foreach (var (name, allowed) in new[] { ("lower", generate.Lower), ("upper", generate.Upper), ("numeric", generate.Numeric), ("special", generate.Special) })
            {
                if (!allowed)
                {
                    writer.WriteBoolean(name, false);
                }
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteMounts(Utf8JsonWriter writer, DeploymentResource resource, string manifestDirectory)
    {
        foreach (var (property, type) in new[] { ("bindMounts", ContainerMountType.BindMount), ("volumes", ContainerMountType.Volume) })
        {
            var mounts = resource.Mounts.Where(m => m.Type == type).ToList();
            if (mounts.Count == 0)
            {
                continue;
            }

            writer.WriteStartArray(property);
            foreach (var mount in mounts)
            {
                writer.WriteStartObject();
                writer.WriteString(type == ContainerMountType.Volume ? "name" : "source",
                    type == ContainerMountType.Volume ? mount.Source : RelativePath(manifestDirectory, mount.Source));
                writer.WriteString("target", mount.Target);
                writer.WriteBoolean("readOnly", mount.IsReadOnly);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
    }

    private static void WriteEnvironment(Utf8JsonWriter writer, DeploymentResource resource)
    {
        if (resource.Environment.Count == 0)
        {
            return;
        }

        writer.WriteStartObject("env");
        foreach (var (name, value) in resource.Environment)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteBindings(Utf8JsonWriter writer, DeploymentResource resource)
    {
        if (resource.Bindings.Count == 0)
        {
            return;
        }

        writer.WriteStartObject("bindings");
        foreach (var binding in resource.Bindings)
        {
            writer.WriteStartObject(binding.Name);
            writer.WriteString("scheme", binding.Scheme);
            writer.WriteString("protocol", binding.Protocol);
            writer.WriteString("transport", binding.Transport);
            if (binding.Port is { } port && port != binding.TargetPort)
            {
                writer.WriteNumber("port", port);
            }

            if (binding.TargetPort is { } targetPort)
            {
                writer.WriteNumber("targetPort", targetPort);
            }

            if (binding.External)
            {
                writer.WriteBoolean("external", true);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteDeploymentExtension(Utf8JsonWriter writer, DeploymentModel model)
    {
        var described = model.Resources.Where(r => r.IsReplicated || r.RestartPolicy is not null || r.MemoryLimit is not null || r.Probes.Count > 0).ToList();
        if (described.Count == 0)
        {
            return;
        }

        writer.WriteStartObject("x-deployment");
        foreach (var resource in described)
        {
            writer.WriteStartObject(resource.Name);
            if (resource.IsReplicated)
            {
                writer.WriteNumber("replicas", resource.Replicas);
            }

            if (resource.RestartPolicy is { } restart)
            {
                writer.WriteStartObject("restart");
                writer.WriteString("policy", "on-failure");
                writer.WriteNumber("maxRestarts", restart.MaxRestarts);
                writer.WriteString("initialBackoff", DeploymentModel.FormatDuration(restart.InitialBackoff));
                writer.WriteString("maxBackoff", DeploymentModel.FormatDuration(restart.MaxBackoff));
                writer.WriteString("resetAfter", DeploymentModel.FormatDuration(restart.ResetAfter));
                writer.WriteEndObject();
            }

            if (resource.MemoryLimit is { } memory)
            {
                writer.WriteString("memoryLimit", DeploymentModel.FormatMemory(memory.Bytes));
            }

            if (resource.Probes.Count > 0)
            {
                writer.WriteStartObject("probes");
                foreach (var probe in resource.Probes)
                {
                    writer.WriteStartObject(probe.Type.ToString().ToLowerInvariant());
                    switch (probe)
                    {
                        case EndpointProbeAnnotation http:
                            writer.WriteString("path", http.Path);
                            writer.WriteString("endpoint", http.EndpointName);
                            break;
                        case CommandProbeAnnotation command:
                            writer.WriteStartArray("command");
                            foreach (var argument in command.Command)
                            {
                                writer.WriteStringValue(argument);
                            }

                            writer.WriteEndArray();
                            break;
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static string RelativePath(string fromDirectory, string path) => Path.GetRelativePath(fromDirectory, path).Replace('\\', '/');
}
