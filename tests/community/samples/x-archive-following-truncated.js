window.YTD.following.part0 = [
  {
    "following" : {
      "accountId" : "824308056351735809",
      "userLink" : "https://twitter.com/intent/user?u