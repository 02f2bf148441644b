using System.Globalization;
using System.Text.RegularExpressions;

namespace AddressBook.Tests.Publishing;

/// <summary>The Kubernetes export, parsed: every name it refers to exists, and it says what the model says.</summary>
public sealed partial class KubernetesTests
{
    [Fact]
    public async Task Every_reference_resolves_across_files()
    {
        using var output = await PublishedOutput.PublishAsync("kubernetes");
        var kustomization = output.Yaml("kustomization.yaml").Single();
        var files = kustomization.List("resources").Cast<string>().ToList();
        Assert.Equal(output.Files.Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) && f != "kustomization.yaml").Order(), files.Order());
        var generator = Assert.Single(kustomization.List("secretGenerator").Maps());
        var secretName = generator.Text("name");
        var secrets = output.Env((string)Assert.Single(generator.List("envs")));
        var objects = files.SelectMany(output.Yaml).ToList();
        var named = objects.ToLookup(o => (o.Text("kind"), o.Map("metadata").Text("name")));

        foreach (var workload in objects.Where(o => o.Text("kind") is "Deployment" or "StatefulSet" or "Job"))
        {
            var name = workload.Map("metadata").Text("name");
            var template = workload.Map("spec").Map("template");
            var podSpec = template.Map("spec");
            var podLabels = template.Map("metadata").Map("labels");
            if (workload.Map("spec").MapOrNull("selector") is { } selector)
            {
                Assert.All(selector.Map("matchLabels"), label => Assert.Equal(label.Value, podLabels[label.Key]));
            }

            var volumes = podSpec.List("volumes").Maps().Select(v => v.Text("name"))
                .Concat(workload.Map("spec").List("volumeClaimTemplates").Maps().Select(c => c.Map("metadata").Text("name"))).ToHashSet();
            if (podSpec.TextOrNull("serviceAccountName") is { } account)
            {
                Assert.True(named.Contains(("ServiceAccount", account)), $"{name} runs as a missing service account");
                Assert.True(named.Contains(("RoleBinding", account)), $"{name}'s service account has no role binding");
            }

            foreach (var container in podSpec.List("initContainers").Maps().Concat(podSpec.List("containers").Maps()))
            {
                var where = $"{name}/{container.Text("name")}";
                Assert.All(container.List("volumeMounts").Maps(), mount => Assert.Contains(mount.Text("name"), volumes));
                Assert.Equal("true", container.Map("securityContext").Text("readOnlyRootFilesystem"));
                Assert.Equal("false", container.Map("securityContext").Text("allowPrivilegeEscalation"));

                // Secrets come from the generated Secret, and $(VAR) only from a variable defined before it.
                var defined = new HashSet<string>();
                foreach (var variable in container.List("env").Maps())
                {
                    if (variable.MapOrNull("valueFrom")?.MapOrNull("secretKeyRef") is { } secretRef)
                    {
                        Assert.Equal(secretName, secretRef.Text("name"));
                        Assert.True(secrets.ContainsKey(secretRef.Text("key")), $"{where} reads a key the Secret lacks");
                    }

                    foreach (Match reference in DependentVariable().Matches(variable.TextOrNull("value") ?? ""))
                    {
                        Assert.True(defined.Contains(reference.Groups[1].Value), $"{where}: $({reference.Groups[1].Value}) is not defined before {variable.Text("name")}");
                    }

                    defined.Add(variable.Text("name"));
                }

                var ports = container.List("ports").Maps().Select(p => p.Text("name")).ToHashSet();
                foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" }.Select(container.MapOrNull).OfType<Dictionary<object, object>>())
                {
                    if (probe.MapOrNull("httpGet") is { } httpGet)
                    {
                        Assert.Contains(httpGet.Text("port"), ports);
                    }
                }

                // Init containers wait for objects of this export, which the service account may read.
                if (container.Text("image").Contains("kubectl", StringComparison.Ordinal))
                {
                    var target = container.List("args").Cast<string>().Single(a => a.Contains('/', StringComparison.Ordinal) && !a.StartsWith("--", StringComparison.Ordinal)).Split('/');
                    var kind = objects.Select(o => o.Text("kind")).First(k => k.Equals(target[0], StringComparison.OrdinalIgnoreCase));
                    Assert.True(named.Contains((kind, target[1])), $"{where} waits for {target[0]}/{target[1]}, which the export does not create");
                    var rules = named[("Role", podSpec.Text("serviceAccountName"))].Single().List("rules").Maps();
                    Assert.Contains(rules, rule => rule.List("resources").Contains(target[0] + "s") && rule.List("verbs").Contains("watch"));
                }
            }
        }

        foreach (var service in objects.Where(o => o.Text("kind") == "Service"))
        {
            var selected = objects.Where(o => o.Text("kind") is "Deployment" or "StatefulSet")
                .Single(w => w.Map("spec").Map("template").Map("metadata").Map("labels").All(l => service.Map("spec").Map("selector").Contains(l)));
            var ports = selected.Map("spec").Map("template").Map("spec").List("containers").Maps().SelectMany(c => c.List("ports").Maps()).Select(p => p.Text("name"));
            Assert.All(service.Map("spec").List("ports").Maps(), port => Assert.Contains(port.Text("targetPort"), ports));
        }

        // Workloads reach postgres through its Service, on a port that Service serves.
        foreach (var workload in objects.Where(o => o.Text("kind") is "Deployment" or "Job"))
        {
            var variable = workload.Map("spec").Map("template").Map("spec").List("containers").Maps().Single().List("env").Maps()
                .Single(v => v.Text("name") == "ConnectionStrings__addressbook");
            var connection = PublishedOutput.ConnectionString(variable.Text("value"));
            Assert.Equal(ResourceNames.Postgres, connection["Host"]);
            var service = Assert.Single(named[("Service", connection["Host"].ToString()!)]);
            Assert.Contains(connection["Port"].ToString(), service.Map("spec").List("ports").Maps().Select(p => p.Text("port")));
        }

        foreach (var scaler in objects.Where(o => o.Text("kind") is "HorizontalPodAutoscaler"))
        {
            Assert.True(named.Contains(("Deployment", scaler.Map("spec").Map("scaleTargetRef").Text("name"))));
        }
    }

    [Fact]
    public async Task Workloads_carry_the_models_replicas_limits_probes_and_order()
    {
        using var output = await PublishedOutput.PublishAsync("kubernetes");
        var objects = output.Files.Where(f => f.EndsWith(".yaml", StringComparison.Ordinal)).SelectMany(output.Yaml).ToList();
        Dictionary<object, object> Single(string kind, string name) =>
            objects.Single(o => o.Text("kind") == kind && o.Map("metadata").Text("name").StartsWith(name, StringComparison.Ordinal));

        var api = Single("Deployment", ResourceNames.Api);
        // The autoscaler keeps the count, from the model's 4 up; the Deployment names none that an apply would reset.
        Assert.False(api.Map("spec").ContainsKey("replicas"));
        var apiPod = api.Map("spec").Map("template").Map("spec");
        var container = apiPod.List("containers").Maps().Single();
        Assert.Equal("200Mi", container.Map("resources").Map("limits").Text("memory"));
        Assert.Equal("/health", container.Map("readinessProbe").Map("httpGet").Text("path"));
        Assert.Equal("/alive", container.Map("livenessProbe").Map("httpGet").Text("path"));
        Assert.Equal("true", apiPod.Map("securityContext").Text("runAsNonRoot"));
        Assert.Equal("addressbook-api:1.0.0", container.Text("image"));
        Assert.Contains(apiPod.List("initContainers").Maps(), init => init.List("args").Contains("--for=condition=complete"));

        var job = Single("Job", ResourceNames.Migrations);
        Assert.Matches($"^{ResourceNames.Migrations}-[0-9a-f]{{10}}$", job.Map("metadata").Text("name"));
        Assert.Contains(job.Map("spec").Map("template").Map("spec").List("initContainers").Maps(), init => init.List("args").Contains("statefulset/postgres"));

        var postgres = Single("StatefulSet", ResourceNames.Postgres);
        Assert.Equal("postgres-data", Assert.Single(postgres.Map("spec").List("volumeClaimTemplates").Maps()).Map("metadata").Text("name"));
        Assert.Equal("None", Single("Service", ResourceNames.Postgres).Map("spec").Text("clusterIP"));
        Assert.Equal("3000", Single("Service", ResourceNames.Api).Map("spec").List("ports").Maps().Single().Text("port"));
        Assert.Equal("4", Single("HorizontalPodAutoscaler", ResourceNames.Api).Map("spec").Text("minReplicas"));
        Assert.Equal("1", Single("PodDisruptionBudget", ResourceNames.Api).Map("spec").Text("maxUnavailable"));
    }

    [Fact]
    public async Task A_slow_database_delays_the_migrations_instead_of_failing_them()
    {
        using var output = await PublishedOutput.PublishAsync("kubernetes");
        var job = output.Yaml("migrations.yaml").Single();
        var jobPod = job.Map("spec").Map("template").Map("spec");
        var wait = jobPod.List("initContainers").Maps().Single(c => c.List("args").Contains("statefulset/postgres"));

        // Each attempt waits out its timeout, then the Job starts another: together at least half an hour.
        var attempts = int.Parse(job.Map("spec").Text("backoffLimit"), CultureInfo.InvariantCulture) + 1;
        var timeout = TimeSpan.FromSeconds(int.Parse(Timeout(wait).TrimEnd('s'), CultureInfo.InvariantCulture));
        Assert.True(attempts >= 4, $"The Job gives up after {attempts} attempts");
        Assert.True(attempts * timeout >= TimeSpan.FromMinutes(30), $"The Job waits {attempts * timeout} for postgres at most");
        Assert.False(job.Map("spec").ContainsKey("activeDeadlineSeconds"));
        Assert.Equal("Never", jobPod.Text("restartPolicy"));

        // The API's pods restart their own wait when it times out, so they keep waiting while the Job retries.
        var apiPod = output.Yaml("api.yaml").Single(o => o.Text("kind") == "Deployment").Map("spec").Map("template").Map("spec");
        var apiWait = apiPod.List("initContainers").Maps().Single(c => c.List("args").Contains("--for=condition=complete"));
        Assert.Contains($"job/{job.Map("metadata").Text("name")}", apiWait.List("args").Cast<string>());
        Assert.Equal("Always", apiPod.TextOrNull("restartPolicy") ?? "Always");
        Assert.Matches("^[0-9]+s$", Timeout(apiWait));

        static string Timeout(Dictionary<object, object> container) =>
            container.List("args").Cast<string>().Single(a => a.StartsWith("--timeout=", StringComparison.Ordinal))["--timeout=".Length..];
    }

    [Fact]
    public async Task Publishing_again_names_the_same_migration_job_so_applying_again_changes_nothing()
    {
        using var first = await PublishedOutput.PublishAsync("kubernetes");
        using var second = await PublishedOutput.PublishAsync("kubernetes", "--Parameters:postgres-password=AnotherPassword123");

        Assert.Equal(first.Read("migrations.yaml"), second.Read("migrations.yaml"));
        Assert.Equal(first.Read("api.yaml"), second.Read("api.yaml"));
    }

    [Fact]
    public async Task An_external_database_replaces_the_statefulset_with_a_connection_string_secret()
    {
        using var output = await PublishedOutput.PublishAsync("kubernetes", "--external", ResourceNames.Postgres,
            $"--ConnectionStrings:{ResourceNames.Postgres}=Host=db.example.com;Username=app;Password=managed;SSL Mode=Require");

        Assert.DoesNotContain("postgres.yaml", output.Files);
        Assert.Equal("Host=db.example.com;Username=app;Password=managed;SSL Mode=Require", output.Env("secrets.env")["POSTGRES_CONNECTIONSTRING"]);
        var job = output.Yaml("migrations.yaml").Single();
        var podSpec = job.Map("spec").Map("template").Map("spec");
        Assert.Empty(podSpec.List("initContainers"));
        var connection = podSpec.List("containers").Maps().Single().List("env").Maps().Single(v => v.Text("name") == "ConnectionStrings__addressbook");
        Assert.Equal("$(POSTGRES_CONNECTIONSTRING);Database=addressbook", connection.Text("value"));
    }

    [Fact]
    public async Task Kustomize_builds_the_export_and_points_every_workload_at_the_generated_secret()
    {
        // kustomize takes a secret file's values as written: quotes, '$' and '#' included.
        const string awkward = "it's $HOME ${X} $(X) #1 \"double\" back\\slash";
        using var output = await PublishedOutput.PublishAsync("kubernetes", $"--Parameters:postgres-password={awkward}");
        var startInfo = new System.Diagnostics.ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        startInfo.ArgumentList.Add("kustomize");
        startInfo.ArgumentList.Add(output.Directory);
        using var kubectl = System.Diagnostics.Process.Start(startInfo)!;
        var rendered = kubectl.StandardOutput.ReadToEndAsync();
        var errors = kubectl.StandardError.ReadToEndAsync();
        await kubectl.WaitForExitAsync();
        Assert.True(kubectl.ExitCode == 0, await errors);

        var documents = PublishedOutput.ParseYaml(await rendered);
        var secret = documents.Single(d => d.Text("kind") == "Secret");
        var secretName = secret.Map("metadata").Text("name");
        Assert.Matches("^parameters-[a-z0-9]+$", secretName);
        Assert.Equal(output.Env("secrets.env").Keys.Order(), secret.Map("data").Keys.Cast<string>().Order());
        Assert.Equal(awkward, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(secret.Map("data").Text("POSTGRES_PASSWORD"))));
        var references = Regex.Matches(await rendered, @"secretKeyRef:\s+key: \S+\s+name: (\S+)").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, name => Assert.Equal(secretName, name));
    }

    [GeneratedRegex(@"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex DependentVariable();
}
