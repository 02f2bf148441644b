using AddressBook.Api;
using AddressBook.Api.Contacts;
using AddressBook.Api.Edge;
using AddressBook.Api.Page;
using AddressBook.Api.Persons;
using AddressBook.Api.Views;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApiServices();
builder.AddEdgeServices();
builder.AddContactsPage();

var app = builder.Build();

app.UseExceptionHandler();
// Gives the 4xx answers that carry no body, such as an unmatched route, a problem details body as well.
app.UseStatusCodePages();
app.UseEdge();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapContactsPage();
app.MapViews();
app.MapPersons();
app.MapContacts();
app.MapContactFiles();

app.Run();
