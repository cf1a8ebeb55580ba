// The landing page: join with a PIN, or go host or write a quiz.
import { bootPage } from "./ui.js";

bootPage(null);
