// Package demoteams is the people of the demo incumbents and the teams
// they form, shared by the Okta and Entra demo generators (oktareplay,
// graphreplay) so both incumbents hold the same teams. The people overlap
// the sandbox Portal's demo users on purpose (engine/portal/sandbox,
// demo.go): a wave chosen by incumbent group then has members who match a
// Portal account, members who have none (JIT will create them), a member
// whose email two Portal accounts share up to case, and members the
// rollout's preview leaves out (already on SSO, suspended, a test account,
// a domain nothing routes).
package demoteams

import "strings"

// Person is one incumbent user.
type Person struct {
	First, Last string
	// Email is also the sign-in name (Okta login, Entra
	// userPrincipalName).
	Email string
	// Inactive: Okta DEPROVISIONED, Entra accountEnabled false.
	Inactive bool
}

// Username is the local part of the person's email.
func (p Person) Username() string { return p.Email[:strings.LastIndexByte(p.Email, '@')] }

// Name is the person's display name.
func (p Person) Name() string { return p.First + " " + p.Last }

// Team is an incumbent group and its members.
type Team struct {
	Name        string
	Description string
	Members     []Person
}

func staff(first, last string) Person {
	return Person{First: first, Last: last, Email: strings.ToLower(first+"."+last) + "@example-corp.com"}
}

// Teams are the demo's teams. Finance is the pilot a consultant picks.
var Teams = []Team{
	{Name: "Finance", Description: "Finance and accounting staff", Members: []Person{
		staff("Priya", "Patel"), staff("Aisha", "Khan"), staff("Ben", "Carter"), staff("Chloe", "Martin"),
		staff("Daniel", "Novak"),
		// Two Portal accounts share this email up to case: refused by name.
		staff("Alex", "Kim"),
		// No Portal account yet: JIT creates one at the first SSO login.
		staff("Nadia", "Rahman"),
		// Left the company: not active in the incumbent.
		{First: "Former", Last: "Employee", Email: "former.employee@example-corp.com", Inactive: true},
		// Already on SSO, and suspended, in the Portal.
		staff("Olivia", "Brown"), staff("Tom", "Okafor"),
	}},
	{Name: "Engineering", Description: "Product engineering", Members: []Person{
		staff("Elena", "Rossi"), staff("Farid", "Haddad"), staff("Grace", "Liu"), staff("Hugo", "Lefevre"),
		staff("Ines", "Duarte"), staff("James", "Chen"), staff("Maria", "Garcia"),
		{First: "Lena", Last: "Fischer", Email: "lena.fischer@eu.example-corp.com"},
		staff("Sam", "Okoro"),
	}},
	{Name: "Sales", Description: "Sales and account management", Members: []Person{
		staff("Jonas", "Berg"), staff("Kenji", "Sato"), staff("Laura", "Smith"), staff("Mateo", "Silva"),
		staff("Nora", "Jensen"), staff("Omar", "Farouk"),
		{First: "QA", Last: "Test User", Email: "qa-test-user@example-corp.com"},
		{First: "Lab", Last: "Researcher", Email: "lab.researcher@example-labs.com"},
	}},
	{Name: "Customer Support", Description: "Support agents", Members: []Person{
		staff("Paula", "Weber"), staff("Quinn", "Taylor"), staff("Rosa", "Mendes"), staff("Samir", "Gupta"),
		staff("Tara", "Walsh"), staff("Umar", "Ali"), staff("Vera", "Ivanova"), staff("Will", "Turner"),
		staff("Yara", "Haddad"),
	}},
}

// People are every team's members, each once, in team order.
func People() []Person {
	var out []Person
	seen := map[string]bool{}
	for _, t := range Teams {
		for _, p := range t.Members {
			if !seen[p.Email] {
				seen[p.Email] = true
				out = append(out, p)
			}
		}
	}
	return out
}
