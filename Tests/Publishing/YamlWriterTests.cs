using AddressBook.Hosting.Publishing;

namespace AddressBook.Tests.Publishing;

public sealed class YamlWriterTests
{
    [Fact]
    public void Every_string_reads_back_as_the_same_string()
    {
        string[] values = ["true", "No", "null", "~", "3000", "1.0", "on-failure:20", "x:", "a: b", "#comment", "-x", "--flag=1",
            "${VAR}", "$(VAR)", "'quoted'", "\"double\"", "back\\slash", "tab\there", "ünïcode", "", " padded ", "multi\nline\n", "two\nlines"];
        var map = new YamlMap();
        for (var i = 0; i < values.Length; i++)
        {
            map.Add($"key{i}", values[i]);
        }

        map.Add("list", values);
        map.Add("nested", new[] { new YamlMap { { "inner", new YamlMap { { "x:", values } } } } });

        var yaml = YamlWriter.Write(map);
        Dictionary<object, object> parsed;
        try
        {
            parsed = PublishedOutput.ParseYaml(yaml).Single();
        }
        catch (YamlDotNet.Core.YamlException error)
        {
            throw new Xunit.Sdk.XunitException($"{error.Message}\n{yaml}");
        }

        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i], parsed.Text($"key{i}"));
        }

        Assert.Equal(values, parsed.List("list").Cast<string>());
        var nested = parsed.List("nested").Maps().Single().Map("inner");
        Assert.Equal(values, nested.List("x:").Cast<string>());
    }
}
