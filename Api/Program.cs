using AddressBook.Api;
using AddressBook.Api.Contacts;
using AddressBook.Api.Persons;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApiServices();

var app = builder.Build();

app.UseExceptionHandler();
// Gives the 4xx answers that carry no body, such as an unmatched route, a problem details body as well.
app.UseStatusCodePages();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapPersons();
app.MapContacts();

app.Run();
